"""Stage 5, email deliverability: SPF, DKIM, DMARC, MX and MTA-STS of the email domain."""
