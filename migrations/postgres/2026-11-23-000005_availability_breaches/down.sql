DROP TABLE availability_breaches;
