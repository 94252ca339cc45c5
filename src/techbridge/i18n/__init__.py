"""Interface strings in Chinese and English, read from data/i18n/*.yaml (key → {zh, en})."""
