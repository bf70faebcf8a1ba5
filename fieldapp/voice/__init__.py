"""Customer voice: survey rounds customers answer without an account (store QR
links and panel invitations), their numbers beside the mystery-shop scores,
and what drives satisfaction. The numbers themselves live in ``insights``."""
