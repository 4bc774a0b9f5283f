-- Each service creates and migrates its own schema at start; in production give each service its own database and
-- role instead, with rights only on its schema.
CREATE DATABASE fintech;
