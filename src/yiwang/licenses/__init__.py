"""Electronic licenses (电子证照): the documents the platform issues and their rendering."""
