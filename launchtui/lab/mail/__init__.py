"""The lab's mail: an SMTP relay that DKIM-signs and delivers to seed Maildirs, and Dovecot
serving those Maildirs over IMAP."""
