ALTER TABLE invitations DROP COLUMN deadline;
