"""The forum's pages: questions and answers, moderation, registration, invitation codes."""
