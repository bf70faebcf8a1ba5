"""Recurring assignments: schedules, their rolling horizon, rotation and the job board."""
