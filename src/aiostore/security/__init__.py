"""Password hashing, random tokens, encryption of platform credentials at rest."""
