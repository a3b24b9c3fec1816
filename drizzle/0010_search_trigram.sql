-- Typo-tolerant search (src/features/books/search-typos.ts): hand-written, as drizzle-kit cannot model FTS5
-- (drizzle #2046); src/db/fts.ts declares these tables for queries.
--
-- The vocabulary: every distinct word (3 to 40 characters) of the books' titles and author names, with the number
-- of books using it. A trigram FTS5 index over it (not over whole descriptions) finds the words sharing the most
-- trigrams with a misspelt one, so "tolkein" or "poter" reach "tolkien" and "potter" through a few short posting
-- lists; the corrected words are then searched in the word index (books_fts) as usual.
-- Triggers on books keep it current whoever writes (admin API, imports, checkout, scripts), like books_fts.
-- Words are split in SQL: lowercased (ASCII; the trigram index folds the rest of case and accents), the
-- punctuation unicode61 treats as a separator turned into spaces (in rounds of seven: deeper nesting overflows
-- SQLite's parser stack), then split on spaces through json_each (a trigger cannot use a recursive CTE). The
-- authors column is JSON text: its brackets, quotes and commas become spaces too. A text json_each cannot parse
-- (a stray control character) adds no words instead of failing the write.
CREATE TABLE `search_terms` (
	`id` integer PRIMARY KEY NOT NULL,
	`term` text NOT NULL,
	`books` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_terms_term_idx` ON `search_terms` (`term`);
--> statement-breakpoint
-- Words no book uses any more: almost always empty, so removing them after a delete reads no other row.
CREATE INDEX `search_terms_unused_idx` ON `search_terms` (`id`) WHERE books <= 0;
--> statement-breakpoint
-- External content: the terms live once, in search_terms; the trigram index holds only the postings.
CREATE VIRTUAL TABLE `search_terms_trigram` USING fts5(
	term,
	content='search_terms',
	content_rowid='id',
	tokenize='trigram remove_diacritics 1'
);
--> statement-breakpoint
CREATE TRIGGER `search_terms_trigram_after_insert` AFTER INSERT ON `search_terms` BEGIN
	INSERT INTO search_terms_trigram(rowid, term) VALUES (new.id, new.term);
END;
--> statement-breakpoint
CREATE TRIGGER `search_terms_trigram_after_delete` AFTER DELETE ON `search_terms` BEGIN
	INSERT INTO search_terms_trigram(search_terms_trigram, rowid, term) VALUES ('delete', old.id, old.term);
END;
--> statement-breakpoint
CREATE TRIGGER `search_terms_after_book_insert` AFTER INSERT ON `books` BEGIN
	INSERT INTO search_terms (term, books)
		SELECT term, 1 FROM (SELECT DISTINCT words.value AS term FROM (SELECT '["' || replace(replace(s, char(13), ' '), ' ', '","') || '"]' AS list
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '—', ' '), '…', ' '), '*', ' '), '+', ' '), '#', ' '), char(9), ' '), char(10), ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '‘', ' '), '“', ' '), '”', ' '), '&', ' '), '/', ' '), '-', ' '), '–', ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, ';', ' '), '!', ' '), '?', ' '), '(', ' '), ')', ' '), '''', ' '), '’', ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '"', ' '), '\', ' '), '[', ' '), ']', ' '), ',', ' '), '.', ' '), ':', ' ') AS s
			FROM (SELECT lower(new.title || ' ' || new.authors) AS s)))))) AS split,
		json_each(CASE WHEN json_valid(split.list) THEN split.list ELSE '[]' END) AS words
		WHERE length(words.value) BETWEEN 3 AND 40) WHERE true
		ON CONFLICT (term) DO UPDATE SET books = books + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `search_terms_after_book_delete` AFTER DELETE ON `books` BEGIN
	UPDATE search_terms SET books = books - 1 WHERE term IN (SELECT DISTINCT words.value AS term FROM (SELECT '["' || replace(replace(s, char(13), ' '), ' ', '","') || '"]' AS list
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '—', ' '), '…', ' '), '*', ' '), '+', ' '), '#', ' '), char(9), ' '), char(10), ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '‘', ' '), '“', ' '), '”', ' '), '&', ' '), '/', ' '), '-', ' '), '–', ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, ';', ' '), '!', ' '), '?', ' '), '(', ' '), ')', ' '), '''', ' '), '’', ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '"', ' '), '\', ' '), '[', ' '), ']', ' '), ',', ' '), '.', ' '), ':', ' ') AS s
			FROM (SELECT lower(old.title || ' ' || old.authors) AS s)))))) AS split,
		json_each(CASE WHEN json_valid(split.list) THEN split.list ELSE '[]' END) AS words
		WHERE length(words.value) BETWEEN 3 AND 40);
	DELETE FROM search_terms WHERE books <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER `search_terms_after_book_update` AFTER UPDATE OF title, authors ON `books` BEGIN
	UPDATE search_terms SET books = books - 1 WHERE term IN (SELECT DISTINCT words.value AS term FROM (SELECT '["' || replace(replace(s, char(13), ' '), ' ', '","') || '"]' AS list
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '—', ' '), '…', ' '), '*', ' '), '+', ' '), '#', ' '), char(9), ' '), char(10), ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '‘', ' '), '“', ' '), '”', ' '), '&', ' '), '/', ' '), '-', ' '), '–', ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, ';', ' '), '!', ' '), '?', ' '), '(', ' '), ')', ' '), '''', ' '), '’', ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '"', ' '), '\', ' '), '[', ' '), ']', ' '), ',', ' '), '.', ' '), ':', ' ') AS s
			FROM (SELECT lower(old.title || ' ' || old.authors) AS s)))))) AS split,
		json_each(CASE WHEN json_valid(split.list) THEN split.list ELSE '[]' END) AS words
		WHERE length(words.value) BETWEEN 3 AND 40);
	DELETE FROM search_terms WHERE books <= 0;
	INSERT INTO search_terms (term, books)
		SELECT term, 1 FROM (SELECT DISTINCT words.value AS term FROM (SELECT '["' || replace(replace(s, char(13), ' '), ' ', '","') || '"]' AS list
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '—', ' '), '…', ' '), '*', ' '), '+', ' '), '#', ' '), char(9), ' '), char(10), ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '‘', ' '), '“', ' '), '”', ' '), '&', ' '), '/', ' '), '-', ' '), '–', ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, ';', ' '), '!', ' '), '?', ' '), '(', ' '), ')', ' '), '''', ' '), '’', ' ') AS s
			FROM (SELECT replace(replace(replace(replace(replace(replace(replace(s, '"', ' '), '\', ' '), '[', ' '), ']', ' '), ',', ' '), '.', ' '), ':', ' ') AS s
			FROM (SELECT lower(new.title || ' ' || new.authors) AS s)))))) AS split,
		json_each(CASE WHEN json_valid(split.list) THEN split.list ELSE '[]' END) AS words
		WHERE length(words.value) BETWEEN 3 AND 40) WHERE true
		ON CONFLICT (term) DO UPDATE SET books = books + 1;
END;
--> statement-breakpoint
-- The books already in the catalog.
INSERT INTO search_terms (term, books)
	SELECT words.value, count(DISTINCT split.seq) FROM (SELECT seq, '["' || replace(replace(s, char(13), ' '), ' ', '","') || '"]' AS list
		FROM (SELECT seq, replace(replace(replace(replace(replace(replace(replace(s, '—', ' '), '…', ' '), '*', ' '), '+', ' '), '#', ' '), char(9), ' '), char(10), ' ') AS s
		FROM (SELECT seq, replace(replace(replace(replace(replace(replace(replace(s, '‘', ' '), '“', ' '), '”', ' '), '&', ' '), '/', ' '), '-', ' '), '–', ' ') AS s
		FROM (SELECT seq, replace(replace(replace(replace(replace(replace(replace(s, ';', ' '), '!', ' '), '?', ' '), '(', ' '), ')', ' '), '''', ' '), '’', ' ') AS s
		FROM (SELECT seq, replace(replace(replace(replace(replace(replace(replace(s, '"', ' '), '\', ' '), '[', ' '), ']', ' '), ',', ' '), '.', ' '), ':', ' ') AS s
		FROM (SELECT seq, lower(books.title || ' ' || books.authors) AS s FROM books)))))) AS split,
	json_each(CASE WHEN json_valid(split.list) THEN split.list ELSE '[]' END) AS words
	WHERE length(words.value) BETWEEN 3 AND 40
	GROUP BY words.value;
--> statement-breakpoint
-- Suggestions match a subject by the start of its name, case-insensitively (declared in src/db/schema/subjects.ts).
CREATE INDEX `subjects_name_idx` ON `subjects` ("name" COLLATE NOCASE);
