-- The last local day an invitation may be answered (inclusive); NULL: no deadline.
ALTER TABLE invitations ADD COLUMN deadline DATE;
