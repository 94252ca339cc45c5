"""Official statistics (yearbook tables) with source and unit, never mixed with registry-derived figures."""
