"""The ground floor: the sprint's target description, results, stages and manual tasks.

Plain data that every other package may import; it imports none of them.
"""
