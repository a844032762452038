DROP TABLE sessions;
DROP TABLE users;
DROP TABLE answers;
DROP TABLE responses;
DROP TABLE forms;
DROP TABLE units;
