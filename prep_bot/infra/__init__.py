"""Infrastructure: settings, databases and migrations, the write lock, workers, export/import,
the embedding model and its cache, HTML templating. (Not named `platform`: a folder of that name
shadows the standard library's module for code run from inside prep_bot/.)"""
