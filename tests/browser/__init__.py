"""A headless Chromium driven over the Chrome DevTools Protocol, for tests of pages the app serves."""
