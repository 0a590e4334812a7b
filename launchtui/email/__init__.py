"""Email deliverability: SPF, DKIM, DMARC, MX and MTA-STS, and the sending-service catalogue."""
