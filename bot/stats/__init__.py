"""What the Hub can see: figures per period and country, charts for staff, the funder's workbook."""
