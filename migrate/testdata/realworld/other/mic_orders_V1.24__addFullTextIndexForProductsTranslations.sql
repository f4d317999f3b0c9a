-- Real-world input for migrate's judged corpus (testdata/realworld/JUDGED.tsv).
-- Source: https://github.com/itx-academy-2/mic-orders/blob/72b456e955250ee42938144cb09ae098e10fdef7/code/orders-boot/src/main/resources/db/migration/V1.24__addFullTextIndexForProductsTranslations.sql
-- (a Flyway migration; products_translations is created by V1.7), copied unchanged below this header.
CREATE
EXTENSION pg_trgm;
CREATE
EXTENSION btree_gin;

CREATE INDEX ix_products_translations_name ON products_translations
    USING gin (name);
