"""Daily risk notes from logs: access logs (nginx and Apache combined) and JSON-lines
application logs read line by line with bounded memory, each line put in its classes (auth,
payment, webhook, server errors), error messages grouped by template, hourly counts compared
with the same hour on earlier days, and one Markdown note per day. Deterministic: counts,
baselines and templates, each flag with the lines behind it; a person decides what to do."""
