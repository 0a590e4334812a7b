"""Text from the network or a person, shown literally: in a terminal or report (visible escapes
for control characters) and in Markdown (escaped, fenced). On the ground floor, so that every
view and every domain package that writes text (the daily risk notes) uses the same rules."""
