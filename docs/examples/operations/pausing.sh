python manage.py gigq pause mail --reason "the mail provider is down"
python manage.py gigq paused
python manage.py gigq stats
python manage.py gigq resume mail
