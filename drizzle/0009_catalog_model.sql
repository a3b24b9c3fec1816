CREATE TABLE `book_relations` (
	`book_id` text NOT NULL,
	`related_book_id` text NOT NULL,
	`buyers` integer NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`book_id`, `related_book_id`),
	FOREIGN KEY (`book_id`) REFERENCES `books`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`related_book_id`) REFERENCES `books`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `book_relations_rank_idx` ON `book_relations` (`book_id`,`buyers`);--> statement-breakpoint
CREATE TABLE `search_misses` (
	`query` text PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `search_misses_count_idx` ON `search_misses` (`count`);--> statement-breakpoint
CREATE TABLE `import_jobs` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`format` text NOT NULL,
	`status` text NOT NULL,
	`object_key` text NOT NULL,
	`file_sha256` text NOT NULL,
	`created_by` text,
	`total_rows` integer,
	`processed_rows` integer DEFAULT 0 NOT NULL,
	`created_rows` integer DEFAULT 0 NOT NULL,
	`updated_rows` integer DEFAULT 0 NOT NULL,
	`unchanged_rows` integer DEFAULT 0 NOT NULL,
	`rejected_rows` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `import_jobs_id_unique` ON `import_jobs` (`id`);--> statement-breakpoint
CREATE INDEX `import_jobs_created_at_idx` ON `import_jobs` (`created_at`);--> statement-breakpoint
CREATE TABLE `import_rejects` (
	`job_id` text NOT NULL,
	`row_number` integer NOT NULL,
	`isbn` text,
	`reason` text NOT NULL,
	PRIMARY KEY(`job_id`, `row_number`),
	FOREIGN KEY (`job_id`) REFERENCES `import_jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `live_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel` text NOT NULL,
	`event` text NOT NULL,
	`data` text NOT NULL,
	`occurred_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `book_subjects` (
	`subject_id` text NOT NULL,
	`book_id` text NOT NULL,
	PRIMARY KEY(`subject_id`, `book_id`),
	FOREIGN KEY (`subject_id`) REFERENCES `subjects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`book_id`) REFERENCES `books`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `book_subjects_book_idx` ON `book_subjects` (`book_id`);--> statement-breakpoint
CREATE TABLE `subjects` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`parent_id` text,
	`path` text NOT NULL,
	`depth` integer NOT NULL,
	`code` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "subjects_depth_non_negative" CHECK(depth >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subjects_id_unique` ON `subjects` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `subjects_slug_idx` ON `subjects` (`slug`);--> statement-breakpoint
CREATE UNIQUE INDEX `subjects_path_idx` ON `subjects` (`path`);--> statement-breakpoint
CREATE UNIQUE INDEX `subjects_code_idx` ON `subjects` (`code`);--> statement-breakpoint
CREATE INDEX `subjects_parent_idx` ON `subjects` (`parent_id`);--> statement-breakpoint
CREATE TABLE `series` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_id_unique` ON `series` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `series_name_idx` ON `series` (`name`);--> statement-breakpoint
CREATE TABLE `works` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`title` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `works_id_unique` ON `works` (`id`);--> statement-breakpoint
ALTER TABLE `books` ADD `work_id` text REFERENCES works(id);--> statement-breakpoint
ALTER TABLE `books` ADD `publisher` text;--> statement-breakpoint
ALTER TABLE `books` ADD `format` text;--> statement-breakpoint
ALTER TABLE `books` ADD `page_count` integer;--> statement-breakpoint
ALTER TABLE `books` ADD `release_date` text;--> statement-breakpoint
ALTER TABLE `books` ADD `series_id` text REFERENCES series(id);--> statement-breakpoint
ALTER TABLE `books` ADD `series_position` real;--> statement-breakpoint
ALTER TABLE `books` ADD `cover_key` text;--> statement-breakpoint
ALTER TABLE `books` ADD `cover_content_type` text;--> statement-breakpoint
ALTER TABLE `books` ADD `cover_width` integer;--> statement-breakpoint
ALTER TABLE `books` ADD `cover_height` integer;--> statement-breakpoint
CREATE INDEX `books_work_idx` ON `books` (`work_id`);--> statement-breakpoint
CREATE INDEX `books_series_idx` ON `books` (`series_id`,`series_position`);--> statement-breakpoint
CREATE INDEX `books_format_idx` ON `books` (`format`,`seq`);--> statement-breakpoint
CREATE INDEX `books_publisher_idx` ON `books` ("publisher" COLLATE NOCASE,`seq`);--> statement-breakpoint
-- Every existing book becomes the one edition of its own work (same title), so no book is left without a work.
-- The work id is derived from the book id, so this is deterministic and needs no mapping table.
INSERT INTO `works` (`id`, `title`, `created_at`, `updated_at`)
	SELECT 'wk_' || substr(`id`, 4), `title`, `created_at`, `updated_at` FROM `books` WHERE `work_id` IS NULL;
--> statement-breakpoint
UPDATE `books` SET `work_id` = 'wk_' || substr(`id`, 4) WHERE `work_id` IS NULL;
--> statement-breakpoint
-- Subject filing and the taxonomy shape cached catalog answers too: bump the catalog version like books do (0005).
CREATE TRIGGER `catalog_version_book_subjects_insert` AFTER INSERT ON `book_subjects` BEGIN
	UPDATE catalog_state SET version = version + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_version_book_subjects_delete` AFTER DELETE ON `book_subjects` BEGIN
	UPDATE catalog_state SET version = version + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_version_subjects_insert` AFTER INSERT ON `subjects` BEGIN
	UPDATE catalog_state SET version = version + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_version_subjects_update` AFTER UPDATE ON `subjects` BEGIN
	UPDATE catalog_state SET version = version + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_version_subjects_delete` AFTER DELETE ON `subjects` BEGIN
	UPDATE catalog_state SET version = version + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_version_works_update` AFTER UPDATE ON `works` BEGIN
	UPDATE catalog_state SET version = version + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_version_series_update` AFTER UPDATE ON `series` BEGIN
	UPDATE catalog_state SET version = version + 1 WHERE id = 1;
END;
