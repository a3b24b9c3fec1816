-- Typo-tolerant search (src/features/books/search-typos.ts) and suggestions: hand-written, as drizzle-kit cannot model FTS5
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
-- As-you-type suggestions (src/features/search/suggest.service.ts) read two small indexes, so a prefix costs what
-- its own matches cost: with one index over every column, "th"* in the authors column would walk every book whose
-- title or description has a "th…" word before finding enough authors.
-- Titles only: an external-content FTS5 index like books_fts (0001), without authors and descriptions.
CREATE VIRTUAL TABLE `books_title_fts` USING fts5(
	title,
	content='books',
	content_rowid='seq',
	tokenize="unicode61 remove_diacritics 2",
	prefix='2 3'
);
--> statement-breakpoint
CREATE TRIGGER `books_title_fts_after_insert` AFTER INSERT ON `books` BEGIN
	INSERT INTO books_title_fts(rowid, title) VALUES (new.seq, new.title);
END;
--> statement-breakpoint
CREATE TRIGGER `books_title_fts_after_delete` AFTER DELETE ON `books` BEGIN
	INSERT INTO books_title_fts(books_title_fts, rowid, title) VALUES ('delete', old.seq, old.title);
END;
--> statement-breakpoint
CREATE TRIGGER `books_title_fts_after_update` AFTER UPDATE OF title ON `books` BEGIN
	INSERT INTO books_title_fts(books_title_fts, rowid, title) VALUES ('delete', old.seq, old.title);
	INSERT INTO books_title_fts(rowid, title) VALUES (new.seq, new.title);
END;
--> statement-breakpoint
INSERT INTO books_title_fts(books_title_fts) VALUES ('rebuild');
--> statement-breakpoint
-- Author names: each distinct name once, with the number of books naming it, and a word index over the names.
CREATE TABLE `search_authors` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`books` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_authors_name_idx` ON `search_authors` (`name`);
--> statement-breakpoint
CREATE INDEX `search_authors_unused_idx` ON `search_authors` (`id`) WHERE books <= 0;
--> statement-breakpoint
CREATE VIRTUAL TABLE `search_authors_fts` USING fts5(
	name,
	content='search_authors',
	content_rowid='id',
	tokenize="unicode61 remove_diacritics 2",
	prefix='2 3'
);
--> statement-breakpoint
CREATE TRIGGER `search_authors_fts_after_insert` AFTER INSERT ON `search_authors` BEGIN
	INSERT INTO search_authors_fts(rowid, name) VALUES (new.id, new.name);
END;
--> statement-breakpoint
CREATE TRIGGER `search_authors_fts_after_delete` AFTER DELETE ON `search_authors` BEGIN
	INSERT INTO search_authors_fts(search_authors_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
--> statement-breakpoint
CREATE TRIGGER `search_authors_after_book_insert` AFTER INSERT ON `books` BEGIN
	INSERT INTO search_authors (name, books)
		SELECT DISTINCT value, 1 FROM json_each(CASE WHEN json_valid(new.authors) THEN new.authors ELSE '[]' END) WHERE true
		ON CONFLICT (name) DO UPDATE SET books = books + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `search_authors_after_book_delete` AFTER DELETE ON `books` BEGIN
	UPDATE search_authors SET books = books - 1
		WHERE name IN (SELECT value FROM json_each(CASE WHEN json_valid(old.authors) THEN old.authors ELSE '[]' END));
	DELETE FROM search_authors WHERE books <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER `search_authors_after_book_update` AFTER UPDATE OF authors ON `books` BEGIN
	UPDATE search_authors SET books = books - 1
		WHERE name IN (SELECT value FROM json_each(CASE WHEN json_valid(old.authors) THEN old.authors ELSE '[]' END));
	DELETE FROM search_authors WHERE books <= 0;
	INSERT INTO search_authors (name, books)
		SELECT DISTINCT value, 1 FROM json_each(CASE WHEN json_valid(new.authors) THEN new.authors ELSE '[]' END) WHERE true
		ON CONFLICT (name) DO UPDATE SET books = books + 1;
END;
--> statement-breakpoint
INSERT INTO search_authors (name, books)
	SELECT authors.value, count(DISTINCT books.seq) FROM books,
	json_each(CASE WHEN json_valid(books.authors) THEN books.authors ELSE '[]' END) AS authors
	GROUP BY authors.value;
--> statement-breakpoint
-- Suggestions match a subject by the start of its name, case-insensitively (declared in src/db/schema/subjects.ts).
CREATE INDEX `subjects_name_idx` ON `subjects` ("name" COLLATE NOCASE);
