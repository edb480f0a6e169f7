"""Wire models, by what they are about. Request models refuse unknown fields."""
