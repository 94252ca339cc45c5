"""揭榜挂帅 challenges: publication, applications, solver ranking, milestones to acceptance."""
