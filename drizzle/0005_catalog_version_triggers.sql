-- The catalog version the edge cache keys by (src/middleware/cache.ts). Every change to books bumps it inside
-- the writing statement's own transaction, whoever writes: the admin API, checkout's stock updates, scripts.
INSERT INTO catalog_state (id, version) VALUES (1, 1) ON CONFLICT (id) DO NOTHING;
--> statement-breakpoint
CREATE TRIGGER `catalog_version_after_insert` AFTER INSERT ON `books` BEGIN
	UPDATE catalog_state SET version = version + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_version_after_update` AFTER UPDATE ON `books` BEGIN
	UPDATE catalog_state SET version = version + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_version_after_delete` AFTER DELETE ON `books` BEGIN
	UPDATE catalog_state SET version = version + 1 WHERE id = 1;
END;
