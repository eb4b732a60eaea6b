"""The frames played in a terminal: pages, the classroom player, fitting to the screen, which steps to show."""
