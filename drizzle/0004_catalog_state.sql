CREATE TABLE `catalog_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	CONSTRAINT "catalog_state_single_row" CHECK(id = 1)
);
--> statement-breakpoint
DROP INDEX `books_language_idx`;--> statement-breakpoint
CREATE INDEX `books_language_created_at_idx` ON `books` (`language`,`created_at`,`seq`);