CREATE TABLE `books` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`isbn` text NOT NULL,
	`title` text NOT NULL,
	`authors` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`language` text NOT NULL,
	`published_year` integer NOT NULL,
	`price_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`stock` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "books_stock_non_negative" CHECK(stock >= 0),
	CONSTRAINT "books_price_non_negative" CHECK(price_amount >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `books_id_unique` ON `books` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `books_isbn_unique` ON `books` (`isbn`);--> statement-breakpoint
CREATE INDEX `books_title_idx` ON `books` ("title" COLLATE NOCASE,`seq`);--> statement-breakpoint
CREATE INDEX `books_price_idx` ON `books` (`price_amount`,`seq`);--> statement-breakpoint
CREATE INDEX `books_published_year_idx` ON `books` (`published_year`,`seq`);--> statement-breakpoint
CREATE INDEX `books_created_at_idx` ON `books` (`created_at`,`seq`);--> statement-breakpoint
CREATE INDEX `books_language_idx` ON `books` (`language`,`seq`);--> statement-breakpoint
CREATE INDEX `books_in_stock_idx` ON `books` (`seq`) WHERE stock > 0;