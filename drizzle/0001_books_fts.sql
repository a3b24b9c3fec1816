-- Full-text index over title, authors and description (drizzle-kit cannot model FTS5, drizzle #2046).
-- External-content table: the text lives once, in books; FTS5 keeps only the index, keyed by books.seq.
-- unicode61 with remove_diacritics folds case and accents; prefix='2 3' makes short prefix queries cheap.
CREATE VIRTUAL TABLE `books_fts` USING fts5(
	title,
	authors,
	description,
	content='books',
	content_rowid='seq',
	tokenize="unicode61 remove_diacritics 2",
	prefix='2 3'
);
--> statement-breakpoint
CREATE TRIGGER `books_fts_after_insert` AFTER INSERT ON `books` BEGIN
	INSERT INTO books_fts(rowid, title, authors, description) VALUES (new.seq, new.title, new.authors, new.description);
END;
--> statement-breakpoint
CREATE TRIGGER `books_fts_after_delete` AFTER DELETE ON `books` BEGIN
	INSERT INTO books_fts(books_fts, rowid, title, authors, description) VALUES ('delete', old.seq, old.title, old.authors, old.description);
END;
--> statement-breakpoint
CREATE TRIGGER `books_fts_after_update` AFTER UPDATE OF title, authors, description ON `books` BEGIN
	INSERT INTO books_fts(books_fts, rowid, title, authors, description) VALUES ('delete', old.seq, old.title, old.authors, old.description);
	INSERT INTO books_fts(rowid, title, authors, description) VALUES (new.seq, new.title, new.authors, new.description);
END;
--> statement-breakpoint
-- Relevance: a title hit weighs 10x a description hit, an author hit 5x (bm25 column weights, persisted).
INSERT INTO books_fts(books_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0)');
