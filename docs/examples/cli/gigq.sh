python manage.py gigq submit docs.examples.reports.jobs.send_report --name "weekly report" \
    -p recipient=ops@example.com -p period=monthly --priority 5 --queue mail
python manage.py gigq status $JOB_ID
python manage.py gigq status $JOB_ID --show-params --show-result --show-executions
python manage.py gigq list --status pending --limit 20
python manage.py gigq cancel $JOB_ID
python manage.py gigq requeue $JOB_ID
python manage.py gigq stats --json
python manage.py gigq workers --all
python manage.py gigq clear --before 30
