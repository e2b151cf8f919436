"""Receivers: FTP/FTPS, SFTP and watched folders, all landing files in a spool."""
