"""Counts the SQL queries of each request and sends the count back in a response header, for the benchmark.

Listed first in the bench settings (app and floor alike), so the count covers every middleware: session,
authentication, the second factor, the current school, and the session saved on the way out.
"""

from django.db import connection

HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response[HEADER] = str(count)
        return response
