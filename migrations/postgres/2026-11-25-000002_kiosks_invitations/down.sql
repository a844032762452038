DROP TABLE invitations;
DROP TABLE kiosks;
