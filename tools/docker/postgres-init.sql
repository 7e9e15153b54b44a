-- One database per service (DESIGN.md §7); run once, when the PostgreSQL volume is first created.
CREATE DATABASE policy;
CREATE DATABASE payment;
