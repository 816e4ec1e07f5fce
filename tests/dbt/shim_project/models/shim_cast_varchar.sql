-- Its contract (models/_shims.yml) declares DuckDB's `varchar`: spark__cast maps it to string.
select 'x' as label, cast(1 as bigint) as n
