DROP INDEX `books_language_idx`;--> statement-breakpoint
CREATE INDEX `books_language_created_at_idx` ON `books` (`language`,`created_at`,`seq`);