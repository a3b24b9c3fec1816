ALTER TABLE `mail_outbox` ADD `user_id` text;--> statement-breakpoint
CREATE INDEX `mail_outbox_user_idx` ON `mail_outbox` (`user_id`);--> statement-breakpoint
CREATE INDEX `refunds_created_by_idx` ON `refunds` (`created_by`);