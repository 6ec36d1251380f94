"""Cases: what a suspicion is about, worked on, closed by four eyes, exported."""
