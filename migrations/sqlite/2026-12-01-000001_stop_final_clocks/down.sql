-- A repair: there is nothing to undo.
SELECT 1;
