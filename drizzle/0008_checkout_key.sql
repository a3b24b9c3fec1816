ALTER TABLE `orders` ADD `checkout_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `orders_checkout_key_idx` ON `orders` (`checkout_key`);