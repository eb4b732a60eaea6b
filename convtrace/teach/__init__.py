"""Teaching: explain, compare, lessons and their facts, the quiz, timing the better ways."""
