from django.utils import translation

from trialsite.models import Profile


class UserLanguageMiddleware:
    """Activate the language a signed-in user chose, on whatever device she signs in from.

    Runs after AuthenticationMiddleware; LocaleMiddleware has already chosen a
    language from the cookie or browser, which the saved choice overrides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
