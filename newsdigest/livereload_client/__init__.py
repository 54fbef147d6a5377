"""The live-reload client, served by the preview server (livereload.py) and never written into a
built site: livereload.js (follows the server's event stream, reloads the tab, shows and hides the
error overlay) and overlay.css (the overlay's styles). Package data, read with importlib.resources."""
