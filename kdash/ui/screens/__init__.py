"""Full screens: the dashboard, drill-downs, pickers, help and logs."""
