-- Moderators suspend accounts, hide reviews and messages and handle reports; only an ADMIN grants the role.
ALTER TYPE "Role" ADD VALUE IF NOT EXISTS 'MODERATOR' BEFORE 'ADMIN';
