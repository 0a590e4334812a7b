"""Reports over check results: text for people, JSON and JUnit for machines."""
