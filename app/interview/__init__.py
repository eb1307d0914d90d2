"""Mock interviews: budgets, rubric coverage, the session and its report."""
