"""Infrastructure: settings, databases and migrations, the write lock, workers, export/import,
the embedding model and its cache, HTML templating."""
