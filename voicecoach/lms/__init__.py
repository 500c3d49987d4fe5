"""Results for learning-management systems: xAPI statements and a Learning Record Store client."""
