-- One database per service (DESIGN.md §7); run once, when the PostgreSQL volume is first created.
CREATE DATABASE policy;
CREATE DATABASE payment;
CREATE DATABASE logger;
CREATE DATABASE image_gen;
CREATE DATABASE price_oracle;
CREATE DATABASE batch_compute;
CREATE DATABASE log_archive;
CREATE DATABASE gateway;
