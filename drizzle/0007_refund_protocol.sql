-- The refund protocol: every unconfirmed refund carries next_attempt_at and is resent by the cron job.
-- No table is rebuilt (D1 ignores PRAGMA foreign_keys=OFF, so a rebuild of orders would cascade-delete its children).
-- Rows left pending by the previous code were reserved and maybe never sent: due now. Its failed rows had their
-- reservation undone, so they keep next_attempt_at NULL and are never resent.
ALTER TABLE `orders` ADD `transition_id` text;--> statement-breakpoint
ALTER TABLE `refunds` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `refunds` ADD `next_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `refunds` ADD `last_error` text;--> statement-breakpoint
UPDATE `refunds` SET `next_attempt_at` = `created_at` WHERE `status` = 'pending' AND `provider_refund_id` IS NULL;--> statement-breakpoint
CREATE INDEX `refunds_status_due_idx` ON `refunds` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `refunds_status_created_idx` ON `refunds` (`status`,`created_at`);
