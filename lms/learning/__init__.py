"""What learners do: course homes, lessons, quizzes, progress."""
